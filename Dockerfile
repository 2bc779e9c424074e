FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SELEC_ENV=production

RUN useradd --create-home --uid 1000 selec
# Pango and a font for WeasyPrint, which renders the analytical products' PDF.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The dependencies come from the lock, every file checked against its hash (`make lock`
# regenerates it from the main dependencies only: no extras, so never the embedded PostgreSQL
# of development); the project itself is then installed without resolving any.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
# What the application runs, named one by one: never `COPY . .`, which would bake whatever
# lies beside this file (.env and its secrets, var/ and its development keys) into a layer.
# The test suite and the benchmark stay out too (.dockerignore keeps them out of the context).
COPY pyproject.toml README.md manage.py ./
COPY selec ./selec
COPY partners ./partners
COPY taskforces ./taskforces
COPY exchanges ./exchanges
COPY hits ./hits
COPY cases ./cases
COPY analytics ./analytics
COPY records ./records
COPY subjects ./subjects
COPY products ./products
COPY oversight ./oversight
COPY templates ./templates
COPY locale ./locale
COPY static ./static
COPY docker ./docker
RUN pip install --no-cache-dir --no-deps .
# The translation catalogues, compiled here from the checked-in .po files (never committed
# compiled); gettext is needed for this step only and leaves the image with it.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends gettext >/dev/null \
    && find locale -name django.po -execdir msgfmt --check-format -o django.mo django.po \; \
    && apt-get purge -y -qq gettext >/dev/null && apt-get autoremove -y -qq >/dev/null \
    && rm -rf /var/lib/apt/lists/*
# The static files, collected once here rather than by every container at its start: the
# manifest storage is production's, and production settings refuse to load without their
# secrets, so this one command gets throwaway values (collectstatic uses none of them; they
# are not kept in the image's environment).
RUN SECRET_KEY=collectstatic-only \
    FIELD_ENCRYPTION_KEYS=k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    BLIND_INDEX_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    AUDIT_CHAIN_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    CACHE_URL=redis://build.invalid:6379/1 \
    AUDIT_ANCHOR_PATH=/tmp/collectstatic-anchor.log \
    EMAIL_URL=smtp://build.invalid:25 \
    python manage.py collectstatic --no-input --verbosity 0
# The code and the collected files stay root's, read-only to the application: a compromised
# process cannot rewrite what it runs. It writes only to the audit anchor's volume.
RUN mkdir -p /var/lib/selec/audit-anchor \
    && chown selec:selec /var/lib/selec/audit-anchor
USER selec

EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
