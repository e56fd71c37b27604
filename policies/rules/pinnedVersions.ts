import { ResourceValidationPolicy } from "@pulumi/policy";
import { PinnedVersionsConfig } from "../../contract/policyConfig";
import { ImageUse, chartInstalls, containersOf, imageUse, imagesIn, workloadLabel } from "./kubernetesInputs";
import { types } from "./types";

/** 1.2.3 or v1.2.3. Ranges, branches, `latest` and pre-releases all move (or will be replaced) under us. */
const exactVersion = /^v?\d+\.\d+\.\d+$/;
/** A release download names its version as a path segment: .../download/v1.3.0/standard-install.yaml. */
const versionSegment = /\/v?\d+\.\d+\.\d+\//;

function versionProblem(label: string, version: unknown): string | undefined {
  if (version === undefined || version === null || version === "") return `${label} is not set; expected an exact version like 1.2.3`;
  if (!exactVersion.test(String(version))) return `${label} "${String(version)}" is not pinned; expected an exact version like 1.2.3`;
  return undefined;
}

/** A tag or a digest pins an image; `latest` never does. A chart's own default tag counts only where the config says so. */
function imageProblem(image: ImageUse, chartPinsImages: boolean): string | undefined {
  if (image.tag === "latest") return `${image.path} ${image.shown} uses the tag latest; expected a fixed tag or a digest`;
  if (image.tag || image.digest || (image.fromObject && chartPinsImages)) return undefined;
  return image.fromObject
    ? `${image.path} ${image.shown} has no tag or digest; expected a fixed tag, or the chart in chartDefaultTags if its appVersion pins this image`
    : `${image.path} ${image.shown} has no tag or digest; expected a fixed one like ${image.repository}:1.2.3`;
}

/** What runs is what was reviewed: chart versions, images and CRD downloads are exact, so a rerun installs the same thing. */
export const pinnedVersionsPolicy: ResourceValidationPolicy = {
  name: "pinned-versions",
  description: "Helm chart versions and Argo CD targetRevisions are exact versions, images carry a tag (not latest) or digest, and manifests downloaded by URL name their version.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { chartDefaultTags: { type: "array", items: { type: "string" }, default: [] } } },
  validateResource: (args, reportViolation) => {
    const { chartDefaultTags } = args.getConfig<PinnedVersionsConfig>();
    for (const install of chartInstalls(args.type, args.name, args.props)) {
      const version = versionProblem(install.versionLabel, install.version);
      if (version) reportViolation(`${install.resource}: ${version}`);
      const chartPinsImages = install.chart !== undefined && chartDefaultTags.includes(install.chart);
      for (const image of imagesIn(install.values, install.valuesPath)) {
        const problem = imageProblem(image, chartPinsImages);
        if (problem) reportViolation(`${install.resource}: ${problem}`);
      }
    }
    for (const container of containersOf(args.type, args.props)) {
      const image = imageUse(container.image, `${container.label} image`);
      const problem = image && imageProblem(image, false);
      if (problem) reportViolation(`${workloadLabel(args.type, args.name)}: ${problem}`);
    }
    if (args.type === types.yamlConfigFile || args.type === types.yamlConfigGroup) {
      const files: unknown[] = [args.props.file, ...(Array.isArray(args.props.files) ? args.props.files : [args.props.files])];
      for (const file of files) {
        if (typeof file === "string" && /^https?:\/\//.test(file) && !versionSegment.test(file)) {
          reportViolation(`${args.type.split(":").pop()} ${args.name}: file "${file}" has no version in its path; expected a release URL like .../download/v1.3.0/standard-install.yaml`);
        }
      }
    }
  },
};
