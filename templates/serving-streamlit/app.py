"""An iris classifier as a Streamlit page: move the sliders, see the predicted species."""
import streamlit as st
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


@st.cache_resource
def train_model():
    iris = load_iris()
    return LogisticRegression(max_iter=500).fit(iris.data, iris.target), list(iris.target_names)


MODEL, CLASSES = train_model()
st.title("Iris classifier")
features = [
    st.slider("Sepal length (cm)", 4.0, 8.0, 5.1),
    st.slider("Sepal width (cm)", 2.0, 4.5, 3.5),
    st.slider("Petal length (cm)", 1.0, 7.0, 1.4),
    st.slider("Petal width (cm)", 0.1, 2.5, 0.2),
]
st.metric("Predicted species", CLASSES[MODEL.predict([features])[0]])
