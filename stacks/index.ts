// The whole program: validate this stack's config, read what the stacks
// deployed before it export, check the shared host, then compose its
// components. index.ts runs it for the Pulumi CLI; the offline plan and the
// tests run the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, describeIssues, readRawConfig, validateConfig } from "../config/load";
import { siteIssues, siteOfDev } from "../config/site";
import { cloudStack } from "./cloud";
import { devStack, prodStack } from "./home";
import { hostSiteFromStack, omniFromCloudStack, otherStack } from "./stackReferences";
import { homeBackupStore } from "./backup";

export async function homelab() {
  // A config error stops here, before any resource is registered (only the reads of other stacks come first).
  const stackConfig = validateConfig(pulumi.getStack(), readRawConfig());
  switch (stackConfig.kind) {
    case "cloud":
      return cloudStack(stackConfig.stack, stackConfig.config);
    case "prod": {
      const config = stackConfig.config;
      const cloud = otherStack("cloud", "omni.cloudStack", config.omni.cloudStack);
      const [omni, store] = await Promise.all([omniFromCloudStack(cloud), homeBackupStore(config.backup, cloud)]);
      return prodStack(stackConfig.stack, config, omni, store);
    }
    case "dev": {
      const config = stackConfig.config;
      const cloud = otherStack("cloud", "omni.cloudStack", config.omni.cloudStack);
      const host = otherStack("host", "hostStack", config.hostStack);
      const [omni, prodSite, store] = await Promise.all([omniFromCloudStack(cloud), hostSiteFromStack(host), homeBackupStore(config.backup, cloud)]);
      const issues = siteIssues(prodSite, "prod", siteOfDev(config));
      if (issues.length > 0) throw new ConfigError(stackConfig.stack, describeIssues(config, issues));
      return devStack(stackConfig.stack, config, omni, store);
    }
  }
}
