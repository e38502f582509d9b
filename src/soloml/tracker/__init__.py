"""The people layer: the project board (board.csv), priorities and the weekly update, all from one event log."""

from soloml.tracker.board import Board, refresh_board
from soloml.tracker.event_log import Event, EventLog
from soloml.tracker.events import gather_events
from soloml.tracker.update import WeeklyUpdate, write_update

__all__ = ["Board", "Event", "EventLog", "WeeklyUpdate", "gather_events", "refresh_board", "write_update"]
