"""Open the QGIS project stored in a GeoPackage with QGIS itself (headless) and report what a GIS specialist sees.

Run with Debian's Python (the one that has python3-qgis), not the venv:
    /usr/bin/python3 -s -E tests/qgis_project_check.py FILE.gpkg PROJECT OUT_DIR
Writes OUT_DIR/qgis_kaart.png (the project's start view rendered with its own layer order and visibility),
OUT_DIR/qgis_layout.png (the print layout "Overzicht" exported as QGIS prints it) and prints one JSON document:
the layer tree (groups, order, checked, expanded), per layer validity, feature count, renderer, styles, scale
range and labels, the layout's items (legend entries, label texts) and how much of each PNG is drawn.
"""
import json
import os
import sys
import tempfile


def start_qgis():
    scratch = tempfile.mkdtemp(prefix="svp-qgis-")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("XDG_RUNTIME_DIR", scratch)
    from qgis.core import QgsApplication
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([b"svp-test"], False, os.path.join(scratch, "profile"))
    app.initQgis()
    return app


def drawn_share(path):
    """Share of pixels that are not (near) white: 0 means an empty picture."""
    from qgis.PyQt.QtGui import QImage
    image = QImage(path)
    step = 4
    total = drawn = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            total += 1
            drawn += (c.red() + c.green() + c.blue()) < 3 * 245
    return drawn / total if total else 0.0


def tree(project):
    from qgis.core import QgsLayerTreeGroup
    groups = []
    for node in project.layerTreeRoot().children():
        if isinstance(node, QgsLayerTreeGroup):
            groups.append({"name": node.name(), "checked": node.itemVisibilityChecked(), "expanded": node.isExpanded(),
                           "layers": [child.layer().name() if child.layer() else None for child in node.findLayers()]})
    order = [layer.name() for layer in project.layerTreeRoot().layerOrder()]
    return groups, order


def layers(project):
    out = {}
    for node in project.layerTreeRoot().findLayers():
        layer = node.layer()
        if layer is None:
            out[node.name()] = {"valid": False, "error": "layer missing"}
            continue
        r = layer.renderer()
        labeling = layer.labeling() if layer.labelsEnabled() else None
        out[layer.name()] = {
            "id": layer.id(), "valid": layer.isValid(), "features": layer.featureCount(), "source": layer.source(),
            "checked": node.itemVisibilityChecked(), "renderer": r.type() if r else None,
            "field": r.classAttribute() if hasattr(r, "classAttribute") else None,
            "classes": [item.label() for item in r.legendSymbolItems()] if r else [],
            "styles": layer.styleManager().styles(), "style": layer.styleManager().currentStyle(),
            "scale_limit": layer.minimumScale() if layer.hasScaleBasedVisibility() else None,
            "label_field": labeling.settings().fieldName if labeling is not None else None,
            "crs": layer.crs().authid()}
    return out


def render_view(project, png):
    from qgis.core import QgsMapRendererParallelJob, QgsMapSettings, QgsReferencedRectangle
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
    settings = QgsMapSettings()
    settings.setLayers(project.mapThemeCollection().masterVisibleLayers())
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(1200, 900))
    extent = project.viewSettings().defaultViewExtent()
    settings.setExtent(extent if not extent.isEmpty() else QgsReferencedRectangle())
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.DrawLabeling, True)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png, "PNG")
    return {"png": png, "errors": [e.message for e in job.errors()], "drawn": drawn_share(png),
            "layers": [layer.name() for layer in settings.layers()], "scale": settings.scale()}


def layout(project, png):
    from qgis.core import QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap
    out = {"layouts": [lay.name() for lay in project.layoutManager().layouts()]}
    lay = project.layoutManager().layoutByName("Overzicht")
    if lay is None:
        return out
    items = lay.items()
    out["labels"] = [i.currentText() for i in items if isinstance(i, QgsLayoutItemLabel)]
    legends = [i for i in items if isinstance(i, QgsLayoutItemLegend)]
    if legends:
        model = legends[0].model()
        out["legend"] = [node.name() for node in model.rootGroup().findLayers()]
        out["legend_groups"] = [g.name() for g in model.rootGroup().children()]
    maps = [i for i in items if isinstance(i, QgsLayoutItemMap)]
    out["map_layers"] = [layer.name() for layer in maps[0].layersToRender()] if maps else []
    result = QgsLayoutExporter(lay).exportToImage(png, QgsLayoutExporter.ImageExportSettings())
    out["export"] = {"ok": result == QgsLayoutExporter.Success, "png": png, "drawn": drawn_share(png)}
    return out


def main():
    gpkg, name, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    app = start_qgis()
    from qgis.core import QgsApplication, QgsProject
    messages = []
    QgsApplication.messageLog().messageReceived.connect(
        lambda msg, tag, level: messages.append(f"[{tag}] {msg}") if int(level) >= 1 else None)
    project = QgsProject.instance()
    uri = f"geopackage:{gpkg}?projectName={name}"
    result = {"uri": uri, "read": project.read(uri), "error": project.error()}
    if result["read"]:
        result.update(title=project.title(), crs=project.crs().authid(), abstract=project.metadata().abstract(),
                      absolute_paths=project.readBoolEntry("Paths", "/Absolute")[0])
        result["groups"], result["order"] = tree(project)
        result["layers"] = layers(project)
        result["view"] = render_view(project, os.path.join(out_dir, "qgis_kaart.png"))
        result["layout"] = layout(project, os.path.join(out_dir, "qgis_layout.png"))
    result["messages"] = [m for m in messages if "tbl_srs" not in m][:30]
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # exitQgis() can crash while tearing down on some builds; the report is out


if __name__ == "__main__":
    main()
