// How the home stacks reach Omni: the cloud stack's typed outputs.
import * as pulumi from "@pulumi/pulumi";
import { OmniAccess } from "../components/omni/omnictl";

export function omniFromCloudStack(cloudStack: string): OmniAccess {
  const cloud = new pulumi.StackReference("cloud", { name: cloudStack });
  const omni = cloud.requireOutput("omni") as pulumi.Output<{ endpoint: string; caCertPem: string; serviceAccountKey: string }>;
  return {
    endpoint: omni.apply((o) => o.endpoint),
    caCertPem: omni.apply((o) => o.caCertPem),
    serviceAccountKey: pulumi.secret(omni.apply((o) => o.serviceAccountKey)),
  };
}
