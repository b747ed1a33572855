# The action server. Build from the repository root:
#   docker build -f deploy/docker/actions.Dockerfile -t backpain-actions .
# Rasa's official action server image (rasa-sdk in /opt/venv, on PATH, user 1001). It has
# rasa-sdk but not the `rasa` command `make run` uses (`rasa run actions`): requirements.lock
# brings it, at the tested versions (rasa 3.6.21, rasa-sdk 3.6.2).
# Pinned by digest: the digest other projects' public Dockerfiles pin this tag to (not pulled
# here: these machines reach no registry). A digest names the content: a wrong one fails the
# build, it cannot bring another image. Check it before the first build, and when moving to a
# new tag:
#   docker buildx imagetools inspect rasa/rasa-sdk:3.6.2   # its "Digest:" must match the line below
FROM rasa/rasa-sdk:3.6.2@sha256:9ebc0abc5b36d9420343a197bdfd9c478155ca86871dc08f8e823c76f484c948
USER root
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock && rm /tmp/requirements.lock
WORKDIR /opt/backpain
# What the actions read: the study file and texts (content/), the clinic settings (config/),
# the education examples the clarifying question names (data/nlu/), and build/charts/, where
# the charts are written (the compose file shares it with nginx).
COPY --chown=1001:0 backpain/ backpain/
COPY --chown=1001:0 actions/ actions/
COPY --chown=1001:0 scripts/ scripts/
COPY --chown=1001:0 config/ config/
COPY --chown=1001:0 content/ content/
COPY --chown=1001:0 data/ data/
COPY --chown=1001:0 domain.yml ./
RUN mkdir -p build/charts var && chown -R 1001:0 build var
USER 1001
# start_part.sh keeps the action server on 127.0.0.1 unless ACTION_HOST says otherwise; in a
# container the Rasa server is another host, and the container network (the port is never
# published) keeps it private.
ENV ACTION_PORT=5055 ACTION_HOST=0.0.0.0 HOME=/tmp
EXPOSE 5055
# What `make run` runs (deploy/supervisord.conf.in: scripts/start_part.sh actions), with the
# image's Python instead of the repository's .venv. The image's entrypoint is replaced.
ENTRYPOINT []
CMD ["/bin/bash", "-c", "export VENV_BIN=$(dirname \"$(command -v python)\") && exec scripts/start_part.sh actions"]
