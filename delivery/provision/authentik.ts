// Who should have accounts: the active people (not service accounts) in
// Authentik's family and admin groups, read with the ci-github service
// account's token (view_user only). An admin is family too.
import { tokenBitwarden } from "../../components/identity/blueprints";
import { groups } from "../../components/identity/groups";
import type { Member } from "./apps/client";
import { Fetch, jsonClient } from "./http";

interface UserPage {
  pagination: { next: number };
  results: { username: string; name: string; email: string; is_active: boolean; type: string }[];
}

/** Every page of one group's active members (pagination.next is a page number, 0 after the last). */
async function membersOf(call: ReturnType<typeof jsonClient>, group: string, token: string) {
  const people: UserPage["results"] = [];
  for (let page = 1; page > 0; ) {
    const query = new URLSearchParams({ groups_by_name: group, is_active: "true", page: String(page), page_size: "100", include_groups: "false" });
    const p = await call<UserPage>(`/api/v3/core/users/?${query}`, { headers: { Authorization: `Bearer ${token}` }, purpose: `list the members of ${group}` });
    people.push(...p.results);
    if (p.pagination.next !== 0 && p.pagination.next <= page) throw new Error(`authentik: page ${page} of ${group} points to page ${p.pagination.next}; expected a later page or 0`);
    page = p.pagination.next;
  }
  return people.filter((u) => u.is_active && u.type === "internal");
}

export async function familyMembers(url: string, token: string, fetchImpl?: Fetch): Promise<Member[]> {
  if (!token) throw new Error(`AUTHENTIK_TOKEN is empty; expected the Bitwarden secret ${tokenBitwarden("ci-github")} as the repository's Actions secret`);
  const call = jsonClient("authentik", url, fetchImpl);
  const admins = await membersOf(call, groups.admin, token);
  const family = await membersOf(call, groups.family, token);
  const byName = new Map<string, Member>();
  for (const u of [...admins, ...family]) {
    if (!byName.has(u.username)) byName.set(u.username, { username: u.username, name: u.name, email: u.email, admin: admins.some((a) => a.username === u.username) });
  }
  return [...byName.values()].sort((a, b) => a.username.localeCompare(b.username));
}
