FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SELEC_ENV=production

RUN useradd --create-home --uid 1000 selec
WORKDIR /app
# The dependencies come from the lock, every file checked against its hash (`make lock`
# regenerates it); the project itself is then installed without resolving any.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY selec ./selec
COPY partners ./partners
COPY taskforces ./taskforces
COPY exchanges ./exchanges
COPY cases ./cases
COPY analytics ./analytics
RUN pip install --no-cache-dir --no-deps .
COPY . .
RUN chown -R selec:selec /app \
    && mkdir -p /var/lib/selec/audit-anchor \
    && chown selec:selec /var/lib/selec/audit-anchor
USER selec

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
