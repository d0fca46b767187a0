import { artifactsPath, compileContracts } from "./compile.ts";

const { fileContents, compilerVersion, warnings } = compileContracts();
for (const warning of warnings) console.warn(warning);
await Bun.write(artifactsPath, fileContents);
console.log(`wrote ${artifactsPath} (solc ${compilerVersion})`);
