// A client for each account API a catalog entry may name (services/entry.ts accountApis).
import type { AccountApi } from "../../../services/entry";
import { audiobookshelfClient } from "./audiobookshelf";
import type { ClientFactory } from "./client";
import { komgaClient } from "./komga";
import { navidromeClient } from "./navidrome";

export const accountClients: Record<AccountApi, ClientFactory> = {
  navidrome: navidromeClient,
  audiobookshelf: audiobookshelfClient,
  komga: komgaClient,
};
