"""Serve an iris classifier over HTTP with FastAPI (interactive docs at /docs).

GET  /health   -> {"status": "ok"}
POST /predict  {"features": [5.1, 3.5, 1.4, 0.2]} -> {"class": "setosa"}

The model is trained when the server starts (about a second): replace train_model() with
loading your own model file.
"""
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def train_model():
    iris = load_iris()
    return LogisticRegression(max_iter=500).fit(iris.data, iris.target), list(iris.target_names)


MODEL, CLASSES = train_model()
app = FastAPI(title="Iris classifier")


class Flower(BaseModel):
    features: list[float] = Field(min_length=4, max_length=4, description="sepal length, sepal width, petal length, petal width (cm)")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/predict")
def predict(flower: Flower) -> dict:
    return {"class": CLASSES[MODEL.predict([flower.features])[0]]}
