/**
 * Signs up, signs in and reads the profile through the typed client.
 * Run against a server: `bun run start` in one terminal, then `bun examples/signup-and-profile.ts`.
 */
import { createClient } from "../client";

const url = process.env.BLOCKSCORE_URL ?? "http://localhost:3000";
const email = `example-${Date.now()}@example.com`;
const password = "a-long-and-unusual-passphrase";

const anonymous = createClient({ url });
await anonymous.auth.register.mutate({ email, password, name: "Example User" });
const { token, expiresAt } = await anonymous.auth.login.mutate({ email, password });
console.log(`signed in as ${email}; session expires ${expiresAt.toISOString()}`);

const client = createClient({ url, token });
const { user, profile } = await client.profile.get.query();
console.log({ user, profile });
