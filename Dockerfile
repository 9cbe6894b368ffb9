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
RUN DJANGO_SETTINGS_MODULE=config.settings.dev python manage.py collectstatic --noinput -v 0 \
    && chown -R pressroom:pressroom /app

USER pressroom
EXPOSE 8000 8001
# HTTP through gunicorn (deploy/gunicorn.conf.py); docker-compose.yml runs
# the same image as Daphne for WebSockets (`ws`), Celery and beat.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"]
