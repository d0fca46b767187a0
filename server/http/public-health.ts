import { type Health, publicHealth } from "../health";

/**
 * The anonymous health answer's body, serialised once per check result: the monitor hands out the same object
 * until the next background check, so a load balancer's polling costs a comparison, not a JSON encoding.
 */
export function publicHealthBodies(): (health: Health) => string {
  let last: { health: Health; body: string } | null = null;
  return (health) => {
    if (last?.health !== health) last = { health, body: JSON.stringify(publicHealth(health)) };
    return last.body;
  };
}
