"""Serve an iris classifier over HTTP with Flask.

GET  /health   -> {"status": "ok"}
POST /predict  {"features": [5.1, 3.5, 1.4, 0.2]} -> {"class": "setosa"}

The model is trained when the server starts (about a second): replace train_model() with
loading your own model file.
"""
from flask import Flask, Response, jsonify, request
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def train_model():
    iris = load_iris()
    return LogisticRegression(max_iter=500).fit(iris.data, iris.target), list(iris.target_names)


MODEL, CLASSES = train_model()
app = Flask(__name__)


@app.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@app.post("/predict")
def predict() -> Response:
    body = request.get_json(silent=True) or {}
    features = body.get("features")
    if not isinstance(features, list) or len(features) != 4:
        return jsonify(error='send {"features": [sepal length, sepal width, petal length, petal width]}'), 400
    label = MODEL.predict([features])[0]
    return jsonify({"class": CLASSES[label]})
