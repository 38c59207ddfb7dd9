import { runTable, lines } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML007', [
  { name: 'flask run without EXPOSE', text: lines(F, 'CMD ["flask", "run", "--host=0.0.0.0"]'), fires: 1, line: 1, fix: lines(F, 'EXPOSE 5000', 'CMD ["flask", "run", "--host=0.0.0.0"]') },
  { name: 'port from the flag', text: lines(F, 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]'), fires: 1, fix: lines(F, 'EXPOSE 8080', 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8080"]') },
  { name: 'port from ENV', text: lines(F, 'ENV STREAMLIT_SERVER_PORT=8600', 'CMD ["streamlit", "run", "app.py"]'), fires: 1, fix: lines(F, 'ENV STREAMLIT_SERVER_PORT=8600', 'EXPOSE 8600', 'CMD ["streamlit", "run", "app.py"]') },
  { name: 'jupyter lab', text: lines('FROM quay.io/jupyter/scipy-notebook:2024-07-29', 'CMD ["jupyter", "lab"]'), fires: 1, fix: lines('FROM quay.io/jupyter/scipy-notebook:2024-07-29', 'EXPOSE 8888', 'CMD ["jupyter", "lab"]') },
  { name: 'python -m http.server with port', text: lines(F, 'CMD python -m http.server 9000'), fires: 1, fix: lines(F, 'EXPOSE 9000', 'CMD python -m http.server 9000') },
  { name: 'gunicorn bind', text: lines(F, 'CMD ["gunicorn", "--bind", "0.0.0.0:7000", "app:app"]'), fires: 1, fix: lines(F, 'EXPOSE 7000', 'CMD ["gunicorn", "--bind", "0.0.0.0:7000", "app:app"]') },
  { name: 'tensorboard and mlflow defaults', text: lines(F, 'CMD ["mlflow", "ui", "--host", "0.0.0.0"]'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'CMD ["mlflow", "ui", "--host", "0.0.0.0"]') },
  { name: 'EXPOSE present passes', text: lines(F, 'EXPOSE 5000', 'CMD ["flask", "run", "--host=0.0.0.0"]'), fires: false },
  { name: 'non-server command passes', text: lines(F, 'CMD ["python", "train.py"]'), fires: false },
  { name: 'server only in a build stage passes', text: lines(F, 'CMD ["flask", "run"]', F, 'CMD ["python", "x.py"]'), fires: false },
]);

runTable('ML008', [
  { name: 'flag 127.0.0.1', text: lines(F, 'EXPOSE 8000', 'CMD ["uvicorn", "main:app", "--host", "127.0.0.1"]'), fires: 1, line: 3, severity: 'error', fix: lines(F, 'EXPOSE 8000', 'CMD ["uvicorn", "main:app", "--host", "0.0.0.0"]') },
  { name: 'flask default host', text: lines(F, 'EXPOSE 5000', 'CMD ["flask", "run"]'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'CMD ["flask", "run", "--host=0.0.0.0"]') },
  { name: 'shell form default host', text: lines(F, 'EXPOSE 5000', 'CMD flask run --port 5000'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'CMD flask run --host=0.0.0.0 --port 5000') },
  { name: 'env localhost is reported on the ENV', text: lines(F, 'ENV FLASK_RUN_HOST=localhost', 'EXPOSE 5000', 'CMD ["flask", "run"]'), fires: 1, line: 2, fix: lines(F, 'ENV FLASK_RUN_HOST=0.0.0.0', 'EXPOSE 5000', 'CMD ["flask", "run"]') },
  { name: 'gunicorn bind localhost', text: lines(F, 'EXPOSE 8000', 'CMD gunicorn -b localhost:8000 app:app'), fires: 1, fix: lines(F, 'EXPOSE 8000', 'CMD gunicorn -b 0.0.0.0:8000 app:app') },
  { name: 'gunicorn default adds --bind', text: lines(F, 'EXPOSE 8000', 'CMD ["gunicorn", "app:app"]'), fires: 1, fix: lines(F, 'EXPOSE 8000', 'CMD ["gunicorn", "--bind=0.0.0.0:8000", "app:app"]') },
  { name: 'jupyter default adds --ip', text: lines(F, 'EXPOSE 8888', 'CMD ["jupyter", "lab", "--no-browser"]'), fires: 1, fix: lines(F, 'EXPOSE 8888', 'CMD ["jupyter", "lab", "--ip=0.0.0.0", "--no-browser"]') },
  { name: 'gradio default adds GRADIO_SERVER_NAME', text: lines(F, 'EXPOSE 7860', 'CMD ["gradio", "app.py"]'), fires: 1, fix: lines(F, 'EXPOSE 7860', 'ENV GRADIO_SERVER_NAME=0.0.0.0', 'CMD ["gradio", "app.py"]') },
  { name: 'flag 0.0.0.0 passes', text: lines(F, 'EXPOSE 5000', 'CMD ["flask", "run", "--host=0.0.0.0"]'), fires: false },
  { name: 'flag wins over env', text: lines(F, 'ENV FLASK_RUN_HOST=127.0.0.1', 'EXPOSE 5000', 'CMD ["flask", "run", "--host", "0.0.0.0"]'), fires: false },
  { name: 'Jupyter Docker Stacks image passes', text: lines('FROM quay.io/jupyter/base-notebook:2024-07-29', 'EXPOSE 8888', 'CMD ["jupyter", "lab"]'), fires: false },
  { name: 'streamlit default passes', text: lines(F, 'EXPOSE 8501', 'CMD ["streamlit", "run", "app.py"]'), fires: false },
  { name: 'via sh -c', text: lines(F, 'EXPOSE 5000', 'CMD ["sh", "-c", "flask run --host 127.0.0.1"]'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'CMD ["sh", "-c", "flask run --host 0.0.0.0"]') },
  // gunicorn's -b takes its value in the same argument
  { name: 'gunicorn "-b 0.0.0.0:5000" in one argument passes', text: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b 0.0.0.0:5000", "app:app"]'), fires: false },
  { name: 'gunicorn -b0.0.0.0:5000 passes', text: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b0.0.0.0:5000", "app:app"]'), fires: false },
  { name: 'gunicorn -b127.0.0.1:5000 is loopback', text: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b127.0.0.1:5000", "app:app"]'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b0.0.0.0:5000", "app:app"]') },
  { name: 'gunicorn "-b 127.0.0.1:5000" is loopback', text: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b 127.0.0.1:5000", "app:app"]'), fires: 1, fix: lines(F, 'EXPOSE 5000', 'ENTRYPOINT ["gunicorn", "-b 0.0.0.0:5000", "app:app"]') },
]);

runTable('ML029', [
  { name: 'EXPOSE differs from --port', text: lines(F, 'EXPOSE 8000', 'CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]'), fires: 1, line: 2, fix: lines(F, 'EXPOSE 8080', 'CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]') },
  { name: 'EXPOSE with protocol', text: lines(F, 'EXPOSE 80/tcp', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "8080"]'), fires: 1, fix: lines(F, 'EXPOSE 8080/tcp', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "8080"]') },
  { name: 'port through ARG', text: lines(F, 'ARG PORT=8080', 'EXPOSE ${PORT}', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "8080"]'), fires: false },
  { name: 'matching port passes', text: lines(F, 'EXPOSE 8080', 'CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]'), fires: false },
  { name: 'one of several ports passes', text: lines(F, 'EXPOSE 6006 8080', 'CMD ["flask", "run", "--host=0.0.0.0", "--port=8080"]'), fires: false },
  { name: 'default port is not checked', text: lines(F, 'EXPOSE 8080', 'CMD ["flask", "run", "--host=0.0.0.0"]'), fires: false },
  { name: 'EXPOSE of a variable with a default matches', text: lines(F, 'EXPOSE ${PORT:-7860}', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "7860"]'), fires: false },
  { name: 'EXPOSE of a variable with another default', text: lines(F, 'EXPOSE ${PORT:-7860}/tcp', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "8080"]'), fires: 1, fix: lines(F, 'EXPOSE 8080', 'CMD ["uvicorn", "m:app", "--host", "0.0.0.0", "--port", "8080"]') },
]);

runTable('ML030', [
  { name: 'host mapping', text: lines(F, 'EXPOSE 80:80'), fires: 1, severity: 'error', fix: lines(F, 'EXPOSE 80') },
  { name: 'address', text: lines(F, 'EXPOSE 127.0.0.1:8080:8080/tcp 9000'), fires: 1, fix: lines(F, 'EXPOSE 8080/tcp 9000') },
  { name: 'plain ports pass', text: lines(F, 'EXPOSE 80 443/tcp 8000-8010'), fires: false },
  // variables are not mappings
  { name: 'variable with a default passes', text: lines(F, 'EXPOSE ${PORT:-7860}'), fires: false },
  { name: 'variable with a default and a protocol passes', text: lines(F, 'EXPOSE ${PORT:-7860}/tcp'), fires: false },
  { name: 'two variables on one line pass', text: lines(F, 'EXPOSE ${PORT:-7860} ${METRICS_PORT:-9090}/tcp'), fires: false },
  { name: '$PORT/tcp passes', text: lines(F, 'ARG PORT=8080', 'EXPOSE $PORT/tcp'), fires: false },
  { name: 'unknown variable passes', text: lines(F, 'EXPOSE ${PORT}'), fires: false },
  { name: 'variable whose value is a mapping is reported without a fix', text: lines(F, 'ARG PORTS=80:80', 'EXPOSE $PORTS'), fires: 1, line: 3 },
  { name: 'literal mapping next to a variable', text: lines(F, 'EXPOSE ${PORT:-7860} 80:80'), fires: 1, fix: lines(F, 'EXPOSE ${PORT:-7860} 80') },
]);

// Servers started through an environment runner: the runner's options are skipped, the server is judged.
runTable('ML008', [
  { name: 'uv run uvicorn on its default host', text: lines(F, 'EXPOSE 8000', 'CMD ["uv", "run", "uvicorn", "main:app"]'), fires: 1, fix: lines(F, 'EXPOSE 8000', 'CMD ["uv", "run", "uvicorn", "--host=0.0.0.0", "main:app"]') },
  { name: 'uv run --with x uvicorn --host 0.0.0.0 passes', text: lines(F, 'EXPOSE 8000', 'CMD ["uv", "run", "--with", "httpx", "uvicorn", "main:app", "--host", "0.0.0.0"]'), fires: false },
  { name: 'micromamba run -n base python -m uvicorn on loopback', text: lines('FROM mambaorg/micromamba:1.5.8', 'EXPOSE 8000', 'CMD micromamba run -n base python -m uvicorn app:app --host 127.0.0.1'), fires: 1, line: 3, fix: lines('FROM mambaorg/micromamba:1.5.8', 'EXPOSE 8000', 'CMD micromamba run -n base python -m uvicorn app:app --host 0.0.0.0') },
  { name: 'conda run -n env gunicorn without a bind', text: lines('FROM continuumio/miniconda3:24.1.2-0', 'EXPOSE 8000', 'CMD ["conda", "run", "--no-capture-output", "-n", "serve", "gunicorn", "app:app"]'), fires: 1, fix: lines('FROM continuumio/miniconda3:24.1.2-0', 'EXPOSE 8000', 'CMD ["conda", "run", "--no-capture-output", "-n", "serve", "gunicorn", "--bind=0.0.0.0:8000", "app:app"]') },
  { name: 'bentoml serve on loopback', text: lines(F, 'EXPOSE 3000', 'CMD ["bentoml", "serve", "service:Summarization", "--host", "127.0.0.1"]'), fires: 1, fix: lines(F, 'EXPOSE 3000', 'CMD ["bentoml", "serve", "service:Summarization", "--host", "0.0.0.0"]') },
  { name: "micromamba's _entrypoint.sh then poetry run uvicorn on loopback", text: lines('FROM mambaorg/micromamba:1.5.8', 'EXPOSE 8000', 'ENTRYPOINT /usr/local/bin/_entrypoint.sh poetry run uvicorn app.main:app --host 127.0.0.1 --port 8000'), fires: 1, line: 3, fix: lines('FROM mambaorg/micromamba:1.5.8', 'EXPOSE 8000', 'ENTRYPOINT /usr/local/bin/_entrypoint.sh poetry run uvicorn app.main:app --host 0.0.0.0 --port 8000') },
  { name: 'bash -lc "micromamba run -n base python -m uvicorn --host 0.0.0.0" passes', text: lines('FROM mambaorg/micromamba:1.5.7', 'EXPOSE 8000', 'CMD ["bash","-lc","micromamba run -n base python -m uvicorn api:app --host 0.0.0.0 --port $PORT"]'), fires: false },
  { name: 'bentoml serve binds every interface by default', text: lines(F, 'EXPOSE 3000', 'CMD ["bentoml", "serve", "service:Summarization"]'), fires: false },
]);

runTable('ML007', [
  { name: 'bentoml serve without EXPOSE: port 3000', text: lines(F, 'CMD ["bentoml", "serve", "service:svc"]'), fires: 1, fix: lines(F, 'EXPOSE 3000', 'CMD ["bentoml", "serve", "service:svc"]') },
  { name: "micromamba's _entrypoint.sh then poetry run uvicorn without EXPOSE: its --port", text: lines('FROM mambaorg/micromamba:1.5.8', 'ENTRYPOINT /usr/local/bin/_entrypoint.sh poetry run uvicorn app.main:app --host 0.0.0.0 --port 8000'), fires: 1, fix: lines('FROM mambaorg/micromamba:1.5.8', 'EXPOSE 8000', 'ENTRYPOINT /usr/local/bin/_entrypoint.sh poetry run uvicorn app.main:app --host 0.0.0.0 --port 8000') },
  { name: 'uv run streamlit run: port 8501', text: lines(F, 'CMD ["uv", "run", "streamlit", "run", "app.py"]'), fires: 1, fix: lines(F, 'EXPOSE 8501', 'CMD ["uv", "run", "streamlit", "run", "app.py"]') },
]);
