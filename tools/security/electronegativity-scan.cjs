// Runs @doyensec/electronegativity's scanner as a library and writes its findings as JSON.
// Its CLI's CSV output is written by two concurrent fs.writeFile calls (header, then body with
// flag 'a'), which race: now and then the header lands over the start of the body and the report
// is garbled (seen in CI). The library call returns the findings themselves.
// usage: node electronegativity-scan.cjs <folder to scan> <electron version> <out.json>
const fs = require('node:fs');
const run = require('@doyensec/electronegativity/dist/runner.js');

const [input, electronVersion, out] = process.argv.slice(2);
run(
  {
    input,
    isRelative: true,
    customScan: [],
    // Needs the internet (it downloads Electron's release list): see docs/SECURITY.md.
    excludeFromScan: ['availablesecurityfixesglobalcheck'],
    electronVersionOverride: electronVersion,
    parserPlugins: [],
    isVerbose: false,
  },
  false,
).then(
  (result) => {
    const findings = result.issues.map((i) => ({
      id: i.id,
      severity: i.severity.name,
      confidence: i.confidence.name,
      file: i.file,
      location: `${i.location.line}:${i.location.column}`,
      sample: i.sample ?? '',
      description: i.description ?? '',
    }));
    fs.writeFileSync(out, JSON.stringify(findings, null, 2));
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
