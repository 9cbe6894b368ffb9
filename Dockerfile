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
EXPOSE 8000
# No --proxy-headers: Daphne would believe X-Forwarded-For from any client.
# The client address comes from TRUSTED_PROXIES only (config/proxy.py).
# Frames up to 1 MiB reach the consumers, which answer those over
# WEBSOCKET_MAX_FRAME_BYTES with an error frame; larger ones drop the connection.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--websocket-max-message-size", "1048576", "config.asgi:application"]
