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

/** A tag that names one release: three numeric parts somewhere in it (1.2.3, v1.2.3-alpine, 2026.09.19-abc, 3.1.0.4875-ls38). */
const releaseTag = /\d+\.\d+\.\d+/;
/** For repositories whose releases are numbered major.minor (PostgreSQL 17.11): that, optionally with a variant suffix. */
const majorMinorTag = /^v?\d+\.\d+(-[A-Za-z0-9.-]+)?$/;

/**
 * A digest pins an image, whatever tag stands beside it; so does a tag that names one release. `latest`,
 * bare majors and minors (17, 1.2) and channels (stable) move under us. A
 * chart's own default tag counts only where the config says so.
 */
function imageProblem(image: ImageUse, chartPinsImages: boolean, majorMinorImages: string[]): string | undefined {
  // The runtime pulls by the digest whatever tag stands beside it (latest@sha256:... for apps that publish channels only).
  if (image.digest) return undefined;
  if (image.tag === "latest") return `${image.path} ${image.shown} uses the tag latest; expected an exact release tag or a digest`;
  if (!image.tag && image.fromObject && chartPinsImages) return undefined;
  if (image.tag) {
    // A tag the chart fills in from its own appVersion is as pinned as the chart version.
    if (releaseTag.test(image.tag) || image.tag.includes("{{")) return undefined;
    if (image.repository !== undefined && majorMinorImages.includes(image.repository) && majorMinorTag.test(image.tag)) return undefined;
    return `${image.path} ${image.shown} uses the moving tag ${image.tag}; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest`;
  }
  return image.fromObject
    ? `${image.path} ${image.shown} has no tag or digest; expected a fixed tag, or the chart in chartDefaultTags if its appVersion pins this image`
    : `${image.path} ${image.shown} has no tag or digest; expected a fixed one like ${image.repository}:1.2.3`;
}

/** What runs is what was reviewed: chart versions, images and CRD downloads are exact, so a rerun installs the same thing. */
export const pinnedVersionsPolicy: ResourceValidationPolicy = {
  name: "pinned-versions",
  description: "Helm chart versions and Argo CD targetRevisions are exact versions, images carry an exact release tag (not latest, a bare major or a channel) or a digest, and manifests downloaded by URL name their version.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      chartDefaultTags: { type: "array", items: { type: "string" }, default: [] },
      majorMinorImages: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, reportViolation) => {
    const { chartDefaultTags, majorMinorImages } = args.getConfig<PinnedVersionsConfig>();
    for (const install of chartInstalls(args.type, args.name, args.props)) {
      const version = versionProblem(install.versionLabel, install.version);
      if (version) reportViolation(`${install.resource}: ${version}`);
      const chartPinsImages = install.chart !== undefined && chartDefaultTags.includes(install.chart);
      for (const image of imagesIn(install.values, install.valuesPath)) {
        const problem = imageProblem(image, chartPinsImages, majorMinorImages);
        if (problem) reportViolation(`${install.resource}: ${problem}`);
      }
    }
    for (const container of containersOf(args.type, args.props)) {
      const image = imageUse(container.image, `${container.label} image`);
      const problem = image && imageProblem(image, false, majorMinorImages);
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
