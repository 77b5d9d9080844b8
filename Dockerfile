# One image for the four services; the compose file chooses the service by its command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PSYCOPG_WAIT_FUNC=wait_select PYTHONWARNINGS=ignore HTTP_HOST=0.0.0.0
WORKDIR /app
COPY infra/constraints.txt infra/constraints.txt
COPY pyproject.toml requirements.txt ./
COPY contracts contracts
COPY infra/chassis infra/chassis
COPY infra/monitoring infra/monitoring
COPY services services
COPY launcher launcher
RUN pip install --no-cache-dir -c infra/constraints.txt setuptools wheel \
 && pip install --no-cache-dir --no-build-isolation -c infra/constraints.txt -r requirements.txt
USER nobody
CMD ["python", "-m", "launcher.run"]
