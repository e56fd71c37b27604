// Every container image the program pins (config/versions.ts), as the list
// the CI's Trivy job scans one by one. Charts' own images are the charts'
// to pin; Twingate's client is pinned by digest in the cloud stack's config.
import { backupImages, imageString, images, serviceImages } from "../config/versions";

export function pinnedImages(): string[] {
  const all = [...Object.values(images), ...Object.values(backupImages).map(imageString), ...Object.values(serviceImages).map(imageString)];
  return [...new Set(all)].sort();
}
