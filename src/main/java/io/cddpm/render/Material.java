package io.cddpm.render;

/** CLEVR's two materials: matte rubber and shiny metal. */
public enum Material {
    RUBBER,
    METAL
}
