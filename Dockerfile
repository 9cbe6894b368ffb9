FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

WORKDIR /app
RUN useradd --create-home --uid 1000 pressroom

COPY requirements.txt .
# The CPU build of torch: PyPI's default wheel is a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install -r requirements.txt

COPY . .
# The query encoder (ai.query_encoder) is exported from the bundled model's
# weights at build time, so no web process has to load torch to make it.
RUN DJANGO_SETTINGS_MODULE=config.settings.dev python manage.py collectstatic --noinput -v 0 \
    && DJANGO_SETTINGS_MODULE=config.settings.dev python manage.py export_query_encoder \
    && chown -R pressroom:pressroom /app

USER pressroom
EXPOSE 8000 8001
# HTTP through gunicorn (deploy/gunicorn.conf.py); docker-compose.yml runs
# the same image as Daphne for WebSockets (`ws`), Celery and beat.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"]
