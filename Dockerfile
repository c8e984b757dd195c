# Image of the scaled-out deployment (docker-compose.yml): the official Airflow image of the exact
# Airflow version pinned in requirements.lock, plus the project's pinned dependencies and the
# `readiness` package (and its console script).
FROM apache/airflow:3.3.2-python3.11

# The pipeline carries HR data: nothing may phone home, even when this image runs without
# docker-compose.yml (which sets the same variables).
ENV AIRFLOW__CORE__LOAD_EXAMPLES=false \
    AIRFLOW__USAGE_DATA_COLLECTION__ENABLED=false \
    SCARF_ANALYTICS=false \
    SCARF_NO_ANALYTICS=true \
    DO_NOT_TRACK=1 \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=false \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=false \
    AIRFLOW__OPENLINEAGE__DISABLED=true \
    READINESS_DATA_DIR=/opt/airflow/data \
    READINESS_DBT_PROJECT_DIR=/opt/airflow/dbt_project

# Install as the airflow user, as the image's docs require. Naming apache-airflow at the image's own
# version makes pip fail rather than swap Airflow if the lock drifts from the base image; the
# celery/postgres extras (the executor and metadata-DB drivers of docker-compose.yml) are locked at the
# versions `make serve` and the deployment test run. `pip check` stops the build on any conflict with
# the providers preinstalled in the image. The Airflow settings come from deploy/airflow.env (compose's
# env_file); the ENV below only makes the image safe on its own and must agree with that file (a test
# checks it).
USER airflow
WORKDIR /opt/airflow
COPY --chown=airflow:0 requirements.lock /opt/airflow/requirements.lock
RUN pip install --no-cache-dir "apache-airflow[celery,postgres]==${AIRFLOW_VERSION}" -r requirements.lock \
    && pip check

# The project itself, after the dependencies so that a code change does not reinstall them.
# Dependencies come only from the lock, hence --no-deps.
COPY --chown=airflow:0 pyproject.toml README.md /opt/airflow/
COPY --chown=airflow:0 include/ /opt/airflow/include/
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build include/*.egg-info

# DAGs and the dbt project ship in the image too, so a worker runs without the bind mounts of
# docker-compose.yml (which overlay these same paths for development).
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 dbt_project/ /opt/airflow/dbt_project/
