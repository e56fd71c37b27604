// The catalog: every service, one file each. Adding a service is one new
// file in this folder, its line here, and its versions in config/versions.ts.
import { ServiceEntry } from "./entry";
import { adguard } from "./adguard";
import { audiobookshelf } from "./audiobookshelf";
import { baikal } from "./baikal";
import { comet } from "./comet";
import { glance } from "./glance";
import { grafana } from "./grafana";
import { homeAssistant } from "./homeAssistant";
import { immich } from "./immich";
import { invidious } from "./invidious";
import { komga } from "./komga";
import { lidarr } from "./lidarr";
import { mealie } from "./mealie";
import { n8n } from "./n8n";
import { ntfy } from "./ntfy";
import { navidrome } from "./navidrome";
import { nextcloud } from "./nextcloud";
import { romm } from "./romm";
import { gamingLaunch } from "./gamingLaunch";
import { vaultwarden } from "./vaultwarden";

export const catalog: readonly ServiceEntry[] = [
  // cloud
  nextcloud,
  vaultwarden,
  baikal,
  navidrome,
  lidarr,
  glance,
  immich,
  n8n,
  mealie,
  invidious,
  comet,
  // prod (and dev)
  adguard,
  homeAssistant,
  audiobookshelf,
  komga,
  romm,
  gamingLaunch,
  grafana,
  ntfy,
];

/** The entries a stack runs: cloud's on cloud; prod's on prod, and on dev unless an entry says why not. */
export function entriesFor(stack: "cloud" | "prod" | "dev", entries: readonly ServiceEntry[] = catalog): ServiceEntry[] {
  if (stack === "cloud") return entries.filter((e) => e.home === "cloud");
  return entries.filter((e) => e.home === "prod" && !(stack === "dev" && e.dev && "skip" in e.dev));
}
