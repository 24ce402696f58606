"""Render a run's GeoPackage layer as QGIS draws it, with a style from its layer_styles table.

Makes the screenshots in docs/qgis.md. Run with the Python that QGIS's bindings belong to
(Debian: ``/usr/bin/python3`` with ``python3-qgis``; ``make bench`` installs QGIS):

    /usr/bin/python3 docs/img/qgis_screenshot.py uitvoer/demo/gezondewijk.gpkg cellen out.png
    /usr/bin/python3 docs/img/qgis_screenshot.py uitvoer/demo/gezondewijk.gpkg buurten out.png \
        "Ervaren gezondheid"

Without a style name the layer is drawn as QGIS opens it (the default style of the table).
"""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsLayoutExporter,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument  # noqa: E402

MM = QgsUnitTypes.LayoutMillimeters


def main(path: str, layer_name: str, out: str, style: str | None = None) -> int:
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(f"{path}|layername={layer_name}", layer_name, "ogr")
    if style:
        _, ids, names, _, _ = layer.listStylesInDatabase()
        qml, _ = layer.getStyleFromDatabase(ids[names.index(style)])
        doc = QDomDocument()
        doc.setContent(qml)
        layer.importNamedStyle(doc)
    project = QgsProject.instance()
    project.addMapLayer(layer)
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize(QgsLayoutSize(300, 150, MM))
    frame = QgsLayoutItemMap(layout)
    frame.attemptMove(QgsLayoutPoint(5, 5, MM))
    frame.attemptResize(QgsLayoutSize(150, 140, MM))
    frame.setExtent(layer.extent())
    frame.setLayers([layer])
    layout.addLayoutItem(frame)
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle(f"{layer_name}: {style or 'standaardstijl'}")
    legend.setLinkedMap(frame)
    legend.attemptMove(QgsLayoutPoint(160, 5, MM))
    layout.addLayoutItem(legend)
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 90
    return int(QgsLayoutExporter(layout).exportToImage(out, settings))


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
