import { ResourceValidationPolicy } from "@pulumi/policy";
import { DeclaredPortsConfig } from "../../contract/policyConfig";
import { types } from "./types";

const protocolNames: Record<string, string> = { "6": "tcp", "17": "udp", all: "all" };

/** Security lists open nothing but the VCN itself and the ports declared in config. */
export const securityListPortsPolicy: ResourceValidationPolicy = {
  name: "security-list-declared-ports",
  description: "OCI security lists allow ingress only from inside the VCN or on ports (and from sources) declared in the stack config.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      internalCidr: { type: "string", default: "10.0.0.0/16" },
      declared: { type: "array", default: [] },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.ociSecurityList) return;
    const config = args.getConfig<DeclaredPortsConfig>();
    for (const rule of args.props.ingressSecurityRules ?? []) {
      const protocol = protocolNames[String(rule.protocol)] ?? String(rule.protocol);
      if (rule.source === config.internalCidr) continue;
      const range = protocol === "tcp" ? rule.tcpOptions : protocol === "udp" ? rule.udpOptions : undefined;
      const declared = config.declared.find(
        (d) => d.protocol === protocol && range && Number(range.min) === d.port && Number(range.max) === d.port && d.sources.includes(rule.source),
      );
      if (!declared) {
        const ports = range ? `${range.min}-${range.max}` : "all ports";
        reportViolation(`security list ${args.name} opens ${protocol} ${ports} to ${rule.source}, which the config does not declare`);
      }
    }
  },
};
