# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini requirements.lock ./
COPY src ./src
COPY migrations ./migrations
# Serendip's own wheel only: its dependencies come from the lock file, with their hashes.
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
# The image's defaults: listen on every interface, keep the SQLite database in the /data volume.
# .env.example leaves both commented out so `--env-file .env` does not override them.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SERENDIP_HOST=0.0.0.0 \
    DATABASE_URL=sqlite:////data/serendip.db
RUN useradd --create-home --uid 10001 serendip && mkdir /data && chown serendip /data
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.lock && rm /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels
USER serendip
WORKDIR /home/serendip
VOLUME ["/data"]
EXPOSE 3000
# Works for `serve` (HTTP or Socket Mode) and `worker`, on whatever SERENDIP_PORT says.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["serendip", "healthcheck"]
ENTRYPOINT ["serendip"]
CMD ["serve"]
