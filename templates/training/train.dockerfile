# Training image. Build:   docker build -f train.dockerfile -t my-lab-train:v1 .
# Without a registry, pass a local base image: --build-arg BASE_IMAGE=<image with Python 3.11>
# (or set mlLab.build.args in VS Code). Python 3.11: the pinned numpy/scikit-learn have wheels for it.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

WORKDIR /usr/local/app

# Dependencies first: this layer stays cached while only train.py changes.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY train.py ./

# Run as a normal user, not root. artifacts/ is where train.py writes metrics.json:
# mount a host folder there to keep them (it must be writable for uid 1000).
RUN useradd --create-home --uid 1000 app && mkdir -p artifacts && chown app:app artifacts
VOLUME ["/usr/local/app/artifacts"]
USER app

ENV PYTHONUNBUFFERED=1
CMD ["python", "train.py"]
