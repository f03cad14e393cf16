// Installs zod's English issue messages. The functions define their schemas
// with zod/mini, the tree-shakable form that keeps cold starts short, and
// zod/mini installs no messages: without this module every issue would read
// "Invalid input". Every module that defines a schema imports it for this
// side effect. Only the English locale is imported, so the bundles carry
// none of the others.
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
