"""Train a classifier on the iris data set, one epoch at a time, and save its metrics.

The iris data set ships with scikit-learn, so nothing is downloaded. Output, one line per
epoch, printed as soon as it is computed:

    epoch 1/10 loss 0.8123
    ...
    test accuracy 0.9333

and artifacts/metrics.json (relative to the working folder).
Settings from the environment: EPOCHS (default 10), ARTIFACTS_DIR (default artifacts).
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 1  # same split, same shuffles, same numbers on every run
EPOCHS = int(os.environ.get("EPOCHS", "10"))
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))


def main() -> int:
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.2, random_state=SEED, stratify=iris.target
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

    model = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.05, random_state=SEED)
    classes = np.unique(iris.target)
    rng = np.random.default_rng(SEED)
    loss = float("nan")
    for epoch in range(1, EPOCHS + 1):
        order = rng.permutation(len(x_train))
        model.partial_fit(x_train[order], y_train[order], classes=classes)
        loss = log_loss(y_train, model.predict_proba(x_train), labels=classes)
        print(f"epoch {epoch}/{EPOCHS} loss {loss:.4f}", flush=True)

    accuracy = accuracy_score(y_test, model.predict(x_test))
    print(f"test accuracy {accuracy:.4f}", flush=True)

    metrics = {"epochs": EPOCHS, "final_loss": round(loss, 4), "accuracy": round(float(accuracy), 4)}
    try:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS_DIR / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    except PermissionError as err:
        print(
            f"cannot write {ARTIFACTS_DIR / 'metrics.json'}: {err.strerror}. This container runs as "
            f"uid {os.getuid()}: make the mounted host folder writable for it "
            "(e.g. chmod 777 artifacts) or run the container with your own uid (--user).",
            file=sys.stderr,
            flush=True,
        )
        return 1
    print(f"saved {ARTIFACTS_DIR / 'metrics.json'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
