"""Jobs: `GET /api/v1/jobs/{job_id}`."""

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from contracts.jobs import Job
from gateway.errors import ApiError
from gateway.openapi import errors
from gateway.state import Services


class JobsController(Controller):
    """Status, progress and result of asynchronous jobs."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    @get("/{job_id:str}", summary="A job's status, progress and result", responses=errors(404))
    async def job(self, job_id: FromPath[str], services: NamedDependency[Services]) -> Job:
        """The job; 404 when unknown or older than 24 h."""
        job = await services.jobs.get(job_id)
        if job is None:
            raise ApiError(404, "job_not_found", f"no job {job_id[:64]!r} (unknown, or finished over 24 h ago)")
        return job
