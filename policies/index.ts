// The CrossGuard pack: `pulumi preview --policy-pack policies`.
// The rules live in ./rules so the offline plan and the tests run the same code.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("homelab", { enforcementLevel: "mandatory", policies: allPolicies });
