# The Rasa server with the trained model. Build from the repository root after `make train`
# (models/ and build/ are generated, not in git):
#   docker build -f deploy/docker/rasa.Dockerfile -t backpain-rasa .
# Rasa's official image: Python 3.10, Rasa in /opt/venv (on PATH), user 1001.
# Pinned by digest: the digest other projects' public Dockerfiles pin this tag to, and the one
# BuildKit resolved the tag to in a public build log (not pulled here: these machines reach no
# registry). A digest names the content: a wrong one fails the build, it cannot bring another
# image. Check it before the first build, and when moving to a new tag:
#   docker buildx imagetools inspect rasa/rasa:3.6.21   # its "Digest:" must match the line below
FROM rasa/rasa:3.6.21@sha256:7c0204065d4859e1b7a691c972ca3d26f5d39ad23fbd992b654084721226d813
USER root
# The project's own dependencies at the tested versions (Rasa itself is already there).
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock && rm /tmp/requirements.lock
# The project where the systemd units install it (deploy/systemd/), not in the image's /app:
# the Helm chart mounts its own endpoints.yml and credentials.yml over /app/.
WORKDIR /opt/backpain
# Code the model loads (custom components, channels, tracker stores, the action-reply check),
# the built pipeline files config.yml names (build/), the clinic settings and the trained models
# (Rasa loads the newest in models/; RASA_MODEL pins one).
COPY --chown=1001:0 backpain/ backpain/
COPY --chown=1001:0 components/ components/
COPY --chown=1001:0 channels/ channels/
COPY --chown=1001:0 stores/ stores/
COPY --chown=1001:0 actions/ actions/
COPY --chown=1001:0 scripts/ scripts/
COPY --chown=1001:0 config/ config/
COPY --chown=1001:0 content/ content/
COPY --chown=1001:0 build/ build/
COPY --chown=1001:0 models/ models/
COPY --chown=1001:0 config.yml domain.yml endpoints.yml credentials.yml ./
# var/: the channels' credentials file scripts/credentials.py writes, and SQLite when no
# PostgreSQL endpoints file is given.
RUN mkdir -p var && chown 1001:0 var
USER 1001
ENV RASA_TELEMETRY_ENABLED=false RASA_PORT=5005 HOME=/tmp
EXPOSE 5005
# What `make run` runs (deploy/supervisord.conf.in: scripts/start_part.sh rasa), after
# scripts/credentials.py writes the channels whose secrets are set (as scripts/supervise.sh
# does). ENDPOINTS names the endpoints file: the compose file and the Helm values give the
# PostgreSQL/Redis one. VENV_BIN: the image's Python, not the repository's .venv. The image's
# entrypoint is `rasa`: replaced.
ENTRYPOINT []
CMD ["/bin/bash", "-c", "export VENV_BIN=$(dirname \"$(command -v python)\") && $VENV_BIN/python scripts/credentials.py && exec scripts/start_part.sh rasa"]
