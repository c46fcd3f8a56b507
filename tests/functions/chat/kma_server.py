"""A loopback server speaking the KMA village forecast API (``getVilageFcst``) wire format.

It answers what data.go.kr answers: ``{"response": {"header": {resultCode, resultMsg},
"body": {dataType, items: {item: [...]}, pageNo, numOfRows, totalCount}}}`` with one item per
category (TMP, POP, PTY, SKY, WSD) and forecast hour, for the hours the real service forecasts:
after the base time, through the second day after ``base_date`` (the 23 h issue: the third).
``delay_s`` holds every answer (the concurrency test), ``mode`` makes it fail the ways the real
one does: an HTTP 500, or a result code other than "00".
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

PATH = "/1360000/VilageFcstInfoService_2.0/getVilageFcst"


@dataclass
class Kma:
    delay_s: float = 0.0
    mode: str = "ok"  # ok | http500 | nodata
    rain_day: int = 1  # days after base_date with rain (PTY 1, POP 80)
    requests: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.delay_s, self.mode, self.rain_day = 0.0, "ok", 1
        self.requests.clear()

    async def _forecast(self, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        self.requests.append(params)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.mode == "http500":
            return JSONResponse({"error": "internal"}, status_code=500)
        if self.mode == "nodata":
            header = {"resultCode": "03", "resultMsg": "NO_DATA"}
            return JSONResponse({"response": {"header": header}})
        base = datetime.strptime(params["base_date"], "%Y%m%d")
        issued = int(params["base_time"][:2])
        items: list[dict[str, Any]] = []
        for day in range(4 if issued == 23 else 3):
            date = (base + timedelta(days=day)).strftime("%Y%m%d")
            rainy = day == self.rain_day
            for hour in range(0, 24, 3):
                if day == 0 and hour <= issued:
                    continue  # an issue forecasts the hours after its own
                values = {
                    "TMP": str(10 + hour // 3),
                    "POP": "80" if rainy else "10",
                    "PTY": "1" if rainy else "0",
                    "SKY": "4" if rainy else "1",
                    "WSD": "2.5",
                }
                for category, value in values.items():
                    items.append(
                        {
                            "baseDate": params["base_date"],
                            "baseTime": params["base_time"],
                            "category": category,
                            "fcstDate": date,
                            "fcstTime": f"{hour:02d}00",
                            "fcstValue": value,
                            "nx": int(params["nx"]),
                            "ny": int(params["ny"]),
                        }
                    )
        body = {
            "dataType": "JSON",
            "items": {"item": items},
            "pageNo": 1,
            "numOfRows": len(items),
            "totalCount": len(items),
        }
        header = {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"}
        return JSONResponse({"response": {"header": header, "body": body}})

    def start(self) -> None:
        app = Starlette(routes=[Route(PATH, self._forecast)])
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("KMA server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
