import { runTable, lines } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML004', [
  {
    name: 'COPY . . before pip install -r',
    text: lines(F, 'WORKDIR /app', 'COPY . .', 'RUN pip install --no-cache-dir -r requirements.txt', 'CMD ["python", "app.py"]'),
    fires: 1,
    line: 3,
    fix: lines(F, 'WORKDIR /app', 'COPY requirements.txt ./', 'RUN pip install --no-cache-dir -r requirements.txt', 'COPY . .', 'CMD ["python", "app.py"]'),
  },
  {
    name: 'moves comments above the install with it',
    text: lines(F, 'WORKDIR /app', 'COPY . /app', '# deps', 'RUN pip install --no-cache-dir -r requirements.txt'),
    fires: 1,
    fix: lines(F, 'WORKDIR /app', 'COPY requirements.txt ./', '# deps', 'RUN pip install --no-cache-dir -r requirements.txt', 'COPY . /app'),
  },
  { name: 'conda env create', text: lines(F, 'WORKDIR /app', 'COPY . .', 'RUN conda env create -f environment.yml && conda clean -afy'), fires: 1 },
  { name: 'poetry install', text: lines(F, 'WORKDIR /app', 'COPY . .', 'RUN poetry install --no-root'), fires: 1, fix: lines(F, 'WORKDIR /app', 'COPY pyproject.toml poetry.lock* ./', 'RUN poetry install --no-root', 'COPY . .') },
  { name: 'requirements copied first passes', text: lines(F, 'WORKDIR /app', 'COPY requirements.txt .', 'RUN pip install --no-cache-dir -r requirements.txt', 'COPY . .'), fires: false },
  { name: 'install in another stage passes', text: lines(F, 'WORKDIR /app', 'COPY . .', F, 'RUN pip install --no-cache-dir -r requirements.txt'), fires: false },
  { name: 'COPY --from is not the context', text: lines(F, 'WORKDIR /app', 'COPY --from=build . .', 'RUN pip install --no-cache-dir -r requirements.txt'), fires: false },
]);

runTable('ML012', [
  { name: 'ADD of a local file', text: lines(F, 'ADD app.py /app/'), fires: 1, fix: lines(F, 'COPY app.py /app/') },
  { name: 'lower-case add', text: lines(F, 'add app.py /app/'), fires: 1, fix: lines(F, 'copy app.py /app/') },
  { name: 'URL passes', text: lines(F, 'ADD https://example.org/x.tar.gz /tmp/'), fires: false },
  { name: 'tar to extract passes', text: lines(F, 'ADD model.tar.gz /models/'), fires: false },
  { name: 'COPY passes', text: lines(F, 'COPY app.py /app/'), fires: false },
]);

runTable('ML014', [
  {
    name: 'data folder',
    text: lines(F, 'WORKDIR /app', 'COPY data/ ./data/'),
    fires: 1,
    severity: 'warning',
    fix: lines(F, 'WORKDIR /app', '# data stays out of the image: mount it at run time, e.g.', '#   docker run -v ./data:/app/data:ro IMAGE'),
  },
  { name: 'csv file', text: lines(F, 'WORKDIR /app', 'COPY train.csv .'), fires: 1, severity: 'warning' },
  { name: 'datasets folder', text: lines(F, 'WORKDIR /app', 'COPY datasets /app/datasets'), fires: 1 },
  { name: 'weights are information', text: lines(F, 'WORKDIR /app', 'COPY model.pt .'), fires: 1, severity: 'information' },
  { name: 'checkpoints folder', text: lines(F, 'WORKDIR /app', 'COPY checkpoints/ /app/checkpoints/'), fires: 1, severity: 'information' },
  {
    name: 'mixed sources keep the code',
    text: lines(F, 'WORKDIR /app', 'COPY app.py model.pkl ./'),
    fires: 1,
    fix: lines(F, 'WORKDIR /app', '# model.pkl stays out of the image: mount it at run time, e.g.', '#   docker run -v ./model.pkl:/app/model.pkl:ro IMAGE', 'COPY app.py ./'),
  },
  { name: 'code passes', text: lines(F, 'WORKDIR /app', 'COPY src/ ./src/', 'COPY app.py requirements.txt ./'), fires: false },
  { name: 'from another stage passes', text: lines(F, 'WORKDIR /app', 'COPY --from=build /app/model.pt .'), fires: false },
]);

runTable('ML024', [
  { name: 'COPY . . without .dockerignore', text: lines(F, 'WORKDIR /app', 'COPY . .'), fires: 1, options: { buildContext: { hasDockerignore: false } } },
  { name: 'with .dockerignore passes', text: lines(F, 'WORKDIR /app', 'COPY . .'), fires: false, options: { buildContext: { hasDockerignore: true } } },
  { name: 'unknown context does not fire', text: lines(F, 'WORKDIR /app', 'COPY . .'), fires: false },
  { name: 'narrow COPY passes', text: lines(F, 'WORKDIR /app', 'COPY src/ ./src/'), fires: false, options: { buildContext: { hasDockerignore: false } } },
]);
