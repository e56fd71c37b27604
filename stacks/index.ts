// The whole program: validate this stack's config, then compose its
// components. index.ts runs it for the Pulumi CLI; the offline plan and the
// tests run the very same function under mocks.
import * as pulumi from "@pulumi/pulumi";
import { readRawConfig, validateConfig } from "../config/load";
import { cloudStack } from "./cloud";
import { devStack, prodStack } from "./home";

export function homelab() {
  // A config error stops here, before any resource is registered.
  const stackConfig = validateConfig(pulumi.getStack(), readRawConfig());
  switch (stackConfig.kind) {
    case "cloud":
      return cloudStack(stackConfig.stack, stackConfig.config);
    case "prod":
      return prodStack(stackConfig.stack, stackConfig.config);
    case "dev":
      return devStack(stackConfig.stack, stackConfig.config);
  }
}
