// Plain-Node code (everything in this project: engine, gpu, services, cli, host …) must not use
// Electron. In this project 'electron' resolves here (tsconfig.json "paths"), to a module with
// nothing in it, so importing anything from it fails to typecheck; lint says the same with a
// message (tools/lint/layers.mjs). Electron's shell, src-main/app/, is its own project with
// Electron's real types.
export {};
