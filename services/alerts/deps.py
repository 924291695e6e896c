"""What a route of the operator API needs, as `Annotated` dependencies: the route's signature
lists them, and none reaches into the app's state or another object's memory."""

from typing import Annotated

from fastapi import Depends, Request

from services.alerts.board import TargetBoard
from services.alerts.bootstrap import AlertService
from services.alerts.desk import AlertDesk
from services.alerts.operators import Operator, authenticate


def _service(request: Request) -> AlertService:
    service: AlertService = request.app.state.service
    return service


Service = Annotated[AlertService, Depends(_service)]


def _desk(service: Service) -> AlertDesk:
    return service.desk


def _board(service: Service) -> TargetBoard:
    return service.board


async def _operator(request: Request, service: Service) -> Operator:
    return await authenticate(request.headers, request.cookies, service.operators, service.sessions)


Desk = Annotated[AlertDesk, Depends(_desk)]
Board = Annotated[TargetBoard, Depends(_board)]
Signed = Annotated[Operator, Depends(_operator)]
