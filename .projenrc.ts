import { awscdk, javascript } from "projen";
const project = new awscdk.AwsCdkConstructLibrary({
  author: "Seed 4870ca7b maintainers",
  authorAddress: "maintainers@cdk-integration-patterns.dev",
  authorName: "cdk-integration-patterns contributors",
  cdkVersion: "2.189.1",
  jsiiVersion: "~6.0.0",
  name: "cdk-integration-patterns",
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: "https://github.com/cdk-integration-patterns/cdk-integration-patterns.git",

  // defaultReleaseBranch: "main",  /* The name of the main release branch. */
  // deps: [],                      /* Runtime dependencies of this module. */
  // description: undefined,        /* The description is just a string that helps people understand the purpose of the package. */
  // devDeps: [],                   /* Build dependencies for this module. */
  // packageName: undefined,        /* The "name" in package.json. */
});
project.synth();