import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, runTable, lines } from './helpers';

const F = 'FROM python:3.12-slim';

runTable('ML022', [
  { name: 'COPY without WORKDIR', text: lines(F, 'COPY app.py .'), fires: 1, line: 1, fix: lines(F, 'WORKDIR /app', 'COPY app.py .') },
  { name: 'RUN without WORKDIR in a build stage', text: lines(F + ' AS build', 'RUN echo hi', F, 'WORKDIR /app'), fires: 1, line: 1 },
  { name: 'WORKDIR present passes', text: lines(F, 'WORKDIR /app', 'COPY app.py .'), fires: false },
  { name: 'WORKDIR inherited from a parent stage passes', text: lines(F + ' AS base', 'WORKDIR /app', 'FROM base', 'COPY app.py .'), fires: false },
  { name: 'metadata-only stage passes', text: lines(F, 'CMD ["python"]'), fires: false },
  { name: 'copies to absolute destinations only pass', text: lines(F, 'COPY --from=build /out/router /usr/local/bin/router', 'ENTRYPOINT ["router"]'), fires: false },
  { name: 'an absolute destination through a variable passes', text: lines(F, 'ARG DEST=/opt/app', 'COPY app.py $DEST/'), fires: false },
  { name: 'a relative destination counts', text: lines(F, 'COPY --from=build /out/router bin/'), fires: 1 },
  { name: 'RUN counts even with absolute copies', text: lines(F, 'COPY app.py /opt/app/', 'RUN python -m compileall /opt/app'), fires: 1 },
]);

runTable('ML023', [
  { name: 'relative WORKDIR', text: lines(F, 'WORKDIR app'), fires: 1, fix: lines(F, 'WORKDIR /app') },
  { name: 'relative after absolute passes', text: lines(F, 'WORKDIR /srv', 'WORKDIR app'), fires: false },
  { name: 'variable resolving to absolute passes', text: lines(F, 'ENV APP_HOME=/app', 'WORKDIR $APP_HOME'), fires: false },
  { name: 'absolute passes', text: lines(F, 'WORKDIR /app'), fires: false },
]);

test('ML022 message: files land in the base image working directory, / for most bases', () => {
  const [f] = findingsOf('ML022', lines('FROM python:3.12-slim', 'COPY app.py .'));
  assert.match(f.message, /base image's working directory \(\/ for most bases\)/);
});
