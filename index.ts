// Entry point for the Pulumi CLI: the stack's outputs are what the program returns.
import { homelab } from "./stacks";

export = homelab();
