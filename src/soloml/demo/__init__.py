"""The demo business, Bluebird Coffee, and the `soloml demo` walk-through."""

from soloml.demo.context import DemoContext, StepResult
from soloml.demo.generator import DemoExports, generate_bluebird
from soloml.demo.walkthrough import STEPS, DemoSummary, run_demo

__all__ = ["STEPS", "DemoContext", "DemoExports", "DemoSummary", "StepResult", "generate_bluebird", "run_demo"]
