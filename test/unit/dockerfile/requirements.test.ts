import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../../src/core/dockerfile/index';
import { lintRequirements, pinRequirements } from '../../../src/core/requirements/index';

const cases: Array<{ name: string; text: string; rules: string[]; fix?: string }> = [
  { name: 'unpinned name', text: 'numpy\n', rules: ['ML028'], fix: 'numpy==VERSION\n' },
  { name: 'extras: the version goes after them', text: 'torch[cpu]  # comment\n', rules: ['ML028'], fix: 'torch[cpu]==VERSION  # comment\n' },
  { name: 'markers stay', text: 'pywin32; sys_platform == "win32"\n', rules: ['ML028'], fix: 'pywin32==VERSION; sys_platform == "win32"\n' },
  { name: 'sklearn is an error', text: 'sklearn==1.4.0\n', rules: ['ML013'], fix: 'scikit-learn==1.4.0\n' },
  { name: 'pinned, ranged, options, paths, URLs and comments pass', text: 'a==1\nb~=2.0\nc>=3,<4\n-r base.txt\n--index-url https://x\n./local\ngit+https://g/r.git\nd @ https://x/d.whl\n# numpy\n\n', rules: [] },
  { name: 'suppression', text: '# mllab-ignore ML028\nnumpy\n', rules: [] },
  { name: 'file suppression', text: 'numpy\n# mllab-ignore-file ML028\npandas\n', rules: [] },
  { name: 'CRLF', text: 'numpy\r\npandas==2.0\r\n', rules: ['ML028'], fix: 'numpy==VERSION\r\npandas==2.0\r\n' },
];

for (const c of cases) {
  test(`requirements: ${c.name}`, () => {
    const f = lintRequirements(c.text);
    assert.deepEqual(f.map((x) => x.rule), c.rules);
    if (c.fix !== undefined) {
      const out = applyEdits(c.text, f[0].fixes[0].edits);
      assert.equal(out, c.fix);
      assert.equal(lintRequirements(out).filter((x) => x.rule === f[0].rule).length, 0);
    }
  });
}

test('ML028 fix uses installed versions when known (safe)', () => {
  const f = lintRequirements('Pillow\n', { installedVersions: { pillow: '10.4.0' } });
  assert.equal(f[0].fixes[0].safe, true);
  assert.equal(applyEdits('Pillow\n', f[0].fixes[0].edits), 'Pillow==10.4.0\n');
});

test('pinRequirements pins from pip freeze, names normalised', () => {
  const freeze = 'numpy==1.26.4\nscikit_learn==1.5.1\n-e git+https://x#egg=y\ntyping-extensions==4.12.2\n';
  const text = 'numpy\nscikit-learn[alldeps] ; python_version >= "3.9"\npandas\nflask==3.0.0\nTyping.Extensions\n';
  assert.equal(pinRequirements(text, freeze), 'numpy==1.26.4\nscikit-learn[alldeps]==1.5.1 ; python_version >= "3.9"\npandas\nflask==3.0.0\nTyping.Extensions==4.12.2\n');
});

test('lintRequirements never throws on junk', () => {
  for (const t of ['', '\\', '[[[', '\u0000\u0001', 'a\\\n', '==1.0', '-']) assert.ok(Array.isArray(lintRequirements(t)));
});
