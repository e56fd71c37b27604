import { ResourceValidationPolicy } from "@pulumi/policy";
import { ImageUse, chartInstalls, containersOf, imageUse, imagesIn, workloadLabel } from "./kubernetesInputs";

const why = "public DNS records have one owner, this program's Cloudflare resources (docs/architecture.md); a second writer would fight it over the same records";
const isExternalDns = (image: ImageUse | undefined): boolean => image?.repository?.endsWith("external-dns") === true;

/** Nothing in a cluster writes public DNS: no external-dns chart, and no external-dns image anywhere. */
export const dnsOwnerPolicy: ResourceValidationPolicy = {
  name: "public-dns-single-owner",
  description: "Public DNS records are written only by the program's Cloudflare resources: no release or Application installs external-dns, and no workload runs its image.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const install of chartInstalls(args.type, args.name, args.props)) {
      if (install.chart === "external-dns") reportViolation(`${install.resource}: installs the external-dns chart; ${why}. Expected the record as a Cloudflare resource in the program instead`);
      for (const image of imagesIn(install.values, install.valuesPath).filter(isExternalDns)) {
        reportViolation(`${install.resource}: ${image.path} ${image.shown} runs external-dns; ${why}. Expected the record as a Cloudflare resource in the program instead`);
      }
    }
    for (const container of containersOf(args.type, args.props)) {
      const image = imageUse(container.image, `${container.label} image`);
      if (isExternalDns(image)) {
        reportViolation(`${workloadLabel(args.type, args.name)}: ${container.label} runs ${image?.shown}, external-dns; ${why}. Expected the record as a Cloudflare resource in the program instead`);
      }
    }
  },
};
