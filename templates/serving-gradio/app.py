"""An iris classifier as a Gradio app: enter the four measurements, get the predicted species."""
import gradio as gr
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def train_model():
    iris = load_iris()
    return LogisticRegression(max_iter=500).fit(iris.data, iris.target), list(iris.target_names)


MODEL, CLASSES = train_model()


def classify(sepal_length: float, sepal_width: float, petal_length: float, petal_width: float) -> str:
    return CLASSES[MODEL.predict([[sepal_length, sepal_width, petal_length, petal_width]])[0]]


demo = gr.Interface(
    fn=classify,
    inputs=[gr.Number(label=name, value=value) for name, value in
            [("Sepal length (cm)", 5.1), ("Sepal width (cm)", 3.5), ("Petal length (cm)", 1.4), ("Petal width (cm)", 0.2)]],
    outputs=gr.Textbox(label="Predicted species"),
    title="Iris classifier",
)

if __name__ == "__main__":
    # 0.0.0.0: listen on the container's network interface, or the published port cannot reach it.
    demo.launch(server_name="0.0.0.0", server_port=7860)
