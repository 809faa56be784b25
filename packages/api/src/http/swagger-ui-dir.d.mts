/** The absolute path of swagger-ui-dist's directory. */
export declare function swaggerUiDir(): string;
