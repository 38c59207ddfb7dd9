import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, runTable, lines } from './helpers';
import { toExecForm } from '../../../src/core/dockerfile/rules/commands';

const F = 'FROM python:3.12-slim';

runTable('ML006', [
  { name: 'shell-form CMD', text: lines(F, 'CMD python app.py'), fires: 1, line: 2, fix: lines(F, 'CMD ["python", "app.py"]') },
  { name: 'shell-form ENTRYPOINT with quotes', text: lines(F, "ENTRYPOINT python 'my app.py'"), fires: 1, fix: lines(F, 'ENTRYPOINT ["python", "my app.py"]') },
  { name: 'single-quoted array', text: lines(F, "CMD ['python', 'app.py']"), fires: 1, fix: lines(F, 'CMD ["python", "app.py"]') },
  { name: 'continuation', text: lines(F, 'CMD python \\', '    app.py'), fires: 1, fix: lines(F, 'CMD ["python", "app.py"]') },
  { name: 'lower-case cmd', text: lines(F, 'cmd python app.py'), fires: 1, fix: lines(F, 'cmd ["python", "app.py"]') },
  { name: 'variables: finding without a fix', text: lines(F, 'CMD python app.py --port $PORT'), fires: 1 },
  { name: 'exec form passes', text: lines(F, 'CMD ["python", "app.py"]', 'ENTRYPOINT ["python"]'), fires: false },
]);

test('toExecForm refuses what needs a shell', () => {
  for (const t of ['a && b', 'a | b', 'a > log', 'python *.py', 'echo $HOME', 'a; b', 'echo `date`']) assert.equal(toExecForm(t), null, t);
  assert.equal(toExecForm('python -u app.py'), '["python", "-u", "app.py"]');
});

runTable('ML011', [
  { name: 'python command without PYTHONUNBUFFERED', text: lines(F, 'WORKDIR /app', 'CMD ["python", "train.py"]'), fires: 1, line: 1, severity: 'hint', fix: lines(F, 'ENV PYTHONUNBUFFERED=1', 'WORKDIR /app', 'CMD ["python", "train.py"]') },
  { name: 'uvicorn runs Python', text: lines(F, 'CMD uvicorn main:app'), fires: 1 },
  { name: 'ENV set passes', text: lines(F, 'ENV PYTHONUNBUFFERED=1', 'CMD ["python", "train.py"]'), fires: false },
  { name: 'python -u passes', text: lines(F, 'CMD ["python", "-u", "train.py"]'), fires: false },
  { name: 'set in a parent stage passes', text: lines(F + ' AS base', 'ENV PYTHONUNBUFFERED=1', 'FROM base', 'CMD ["python", "train.py"]'), fires: false },
  { name: 'non-Python command passes', text: lines(F, 'CMD ["bash"]'), fires: false },
]);

runTable('ML026', [
  { name: 'RUN python train.py', text: lines(F, 'WORKDIR /app', 'RUN python train.py'), fires: 1, fix: lines(F, 'WORKDIR /app', 'CMD ["python", "train.py"]') },
  { name: 'training at the end of a chain', text: lines(F, 'WORKDIR /app', 'RUN pip install --no-cache-dir -r r.txt && python src/train_model.py --epochs 3'), fires: 1, fix: lines(F, 'WORKDIR /app', 'RUN pip install --no-cache-dir -r r.txt', 'CMD ["python", "src/train_model.py", "--epochs", "3"]') },
  { name: 'flags say fit', text: lines(F, 'RUN python main.py fit --trainer.max_epochs 1', 'CMD ["python", "serve.py"]'), fires: 1 },
  { name: 'python -m module', text: lines(F, 'RUN python -m src.train'), fires: 1 },
  { name: 'other scripts pass', text: lines(F, 'RUN python download.py', 'RUN python -c "import torch"', 'RUN python outfit.py'), fires: false },
]);

runTable('ML027', [
  { name: 'training command without VOLUME', text: lines(F, 'WORKDIR /app', 'CMD ["python", "train.py"]'), fires: 1, line: 1, fix: lines(F, 'WORKDIR /app', 'VOLUME ["/app/artifacts"]', 'CMD ["python", "train.py"]') },
  { name: 'VOLUME present passes', text: lines(F, 'WORKDIR /app', 'VOLUME /app/artifacts', 'CMD ["python", "train.py"]'), fires: false },
  { name: 'serving passes', text: lines(F, 'CMD ["python", "serve.py"]'), fires: false },
]);

test('ML006 message: a shell-form command with exec is not said to lose stop signals', () => {
  const [withExec] = findingsOf('ML006', lines(F, 'CMD exec uvicorn app:app --port $PORT --host 0.0.0.0'));
  assert.match(withExec.message, /'exec' passes stop signals/);
  const [plain] = findingsOf('ML006', lines(F, 'CMD uvicorn app:app --port $PORT --host 0.0.0.0'));
  assert.match(plain.message, /does not receive stop signals/);
});
