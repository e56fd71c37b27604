// What the backup objects the program renders look like, where the policies
// judge them (FR-024, FR-025). Dependency-free, like the rest of contract/.

/** The storage class of the library folders (NFS from the home host): the host's own jobs copy them, not the clusters'. */
export const libraryStorageClass = "nfs-media";

/** Where Velero reads its kopia repositories' password; absent, Velero creates it with a default everyone knows. */
export const veleroRepositorySecret = { name: "velero-repo-credentials", key: "repository-password" } as const;
/** Velero's built-in default for that password (pkg/repository/keys): a repository under it is as good as unencrypted. */
export const veleroDefaultRepositoryPassword = "static-passw0rd";

/** The key of a restic repository's password in the Secrets VolSync reads. */
export const resticPasswordKey = "RESTIC_PASSWORD";
