// Entry point: validate this stack's config, then compose its components.
// A config error stops here, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { readRawConfig, validateConfig } from "./config/load";
import { cloudStack } from "./stacks/cloud";
import { devStack, prodStack } from "./stacks/home";

const stackConfig = validateConfig(pulumi.getStack(), readRawConfig());

function compose() {
  switch (stackConfig.kind) {
    case "cloud":
      return cloudStack(stackConfig.stack, stackConfig.config);
    case "prod":
      return prodStack(stackConfig.stack, stackConfig.config);
    case "dev":
      return devStack(stackConfig.stack, stackConfig.config);
  }
}

export = compose();
