import { catalog } from "../../services";
import { ServiceEntry } from "../../services/entry";
import { libraryFolders, missingShares } from "../../services/library";
import { committedRaw } from "../helpers";

const withVolumes = (name: string, volumes: ServiceEntry["volumes"]): ServiceEntry => ({ ...(catalog.find((e) => e.name === "navidrome") as ServiceEntry), name, volumes });

describe("the media library the catalog uses", () => {
  it("lists every folder once with the services that mount it and its writer's owner", () => {
    const folders = Object.fromEntries(libraryFolders(catalog).map((f) => [f.folder, f]));
    expect(folders.music).toEqual({ folder: "music", services: ["navidrome", "lidarr"], owner: { uid: 1000, gid: 1000 } });
    expect(folders.files).toEqual({ folder: "files", services: ["nextcloud"], owner: { uid: 33, gid: 33 } });
    // Read by Komga only: nobody's to own.
    expect(folders.comics).toEqual({ folder: "comics", services: ["komga"] });
    expect(Object.keys(folders)).toEqual([...Object.keys(folders)].sort());
  });

  it("refuses two writers that disagree on the owner, naming both", () => {
    const a = withVolumes("scanner", [{ kind: "library", folder: "docs", access: "rw", owner: { uid: 1000, gid: 1000, why: "x" }, sizeGi: 1, mountPath: "/docs" }]);
    const b = withVolumes("archiver", [{ kind: "library", folder: "docs", access: "rw", owner: { uid: 33, gid: 1000, why: "y" }, sizeGi: 1, mountPath: "/docs" }]);
    expect(() => libraryFolders([a, b])).toThrow("library folder docs: archiver writes it as 33:1000 but scanner as 1000:1000; expected one owner (make the apps write as the same user)");
    const same = withVolumes("indexer", [{ kind: "library", folder: "docs", access: "rw", owner: { uid: 1000, gid: 1000, why: "z" }, sizeGi: 1, mountPath: "/d" }]);
    expect(libraryFolders([a, same])).toEqual([{ folder: "docs", services: ["scanner", "indexer"], owner: { uid: 1000, gid: 1000 } }]);
  });

  it("says which folders the NFS server does not export, by config key and service", () => {
    const folders = libraryFolders(catalog);
    expect(missingShares(committedRaw("prod").values.hypervisor.nfs.shares, folders)).toBeUndefined();
    expect(missingShares(["films", "music"], folders.filter((f) => ["music", "files", "photos"].includes(f.folder)))).toBe(
      "homelab:hypervisor.nfs.shares: expected every library folder the services mount; missing files (nextcloud), photos (immich)",
    );
  });
});
