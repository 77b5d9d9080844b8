# One image for the four services and the console; the compose file chooses the service by its command.
# The console's front end (GOV.UK Frontend) comes from the npm registry, as services/console/package-lock.json pins it.
FROM node:20-slim AS frontend
WORKDIR /console
COPY services/console/package.json services/console/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

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
COPY --from=frontend /console/node_modules services/console/node_modules
RUN pip install --no-cache-dir -c infra/constraints.txt setuptools wheel \
 && pip install --no-cache-dir --no-build-isolation -c infra/constraints.txt -r requirements.txt
USER nobody
CMD ["python", "-m", "launcher.run"]
